package io.syncro.sample;

import java.util.NoSuchElementException;

import io.syncro.protocol.SyncroException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers the REST API's failures as JSON problem details: bad input 400, a missing
 * record 404; never a 500 for input a client sent.
 *
 * @since 0.1.0
 */
@RestControllerAdvice
class ApiErrors {

	@ExceptionHandler(SyncroException.class)
	ProblemDetail badInput(SyncroException ex) {
		HttpStatus status = HttpStatus.resolve(ex.getCode());
		return ProblemDetail.forStatusAndDetail((status != null) ? status : HttpStatus.BAD_REQUEST, ex.getMessage());
	}

	@ExceptionHandler(NoSuchElementException.class)
	ProblemDetail notFound(NoSuchElementException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
	}

}
